"""The API's pagination (its own module: DRF imports it while loading its settings, before
the views that core.api needs)."""

from rest_framework import pagination, serializers


class LimitOffsetPagination(pagination.LimitOffsetPagination):
    """DRF's, except that a `limit` or `offset` that is not a number in range is a 400 (DRF
    falls back to the defaults without a word)."""

    max_limit = 1000

    def get_limit(self, request):
        if not request.query_params.get(self.limit_query_param):  # absent, or empty as DRF reads
            return self.default_limit
        return self._number(request, self.limit_query_param, 1, self.max_limit)

    def get_offset(self, request):
        if not request.query_params.get(self.offset_query_param):
            return 0
        return self._number(request, self.offset_query_param, 0, None)

    def _number(self, request, name: str, low: int, high: int | None) -> int:
        field = serializers.IntegerField(min_value=low, max_value=high)
        try:
            return field.run_validation(request.query_params[name])
        except serializers.ValidationError as exc:
            raise serializers.ValidationError({name: exc.detail}) from exc

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        bounds = {
            self.limit_query_param: {"minimum": 1, "maximum": self.max_limit},
            self.offset_query_param: {"minimum": 0},
        }
        for parameter in parameters:
            parameter["schema"].update(bounds.get(parameter["name"], {}))
        return parameters
