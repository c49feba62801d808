"""`{% form_errors form [other_form …] %}`: the summary of a form's errors at its top."""

from django import template

register = template.Library()


@register.inclusion_tag("form_errors.html")
def form_errors(*forms) -> dict:
    """Every error of the forms given, in the order of their fields, each with the id of the
    input it links to (none for the form's own errors and hidden fields); nothing is shown
    when there is no error."""
    errors = []
    for form in forms:
        if form is None or not form.is_bound:
            continue
        errors += [{"message": message} for message in form.non_field_errors()]
        for field in form:
            for message in field.errors:
                href = "" if field.is_hidden else field.id_for_label
                errors.append({"label": field.label, "message": message, "id": href})
    return {"errors": errors, "count": len(errors)}
