from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo archipel (`load_demo`, `setup_archipel`): seeds every app, so it sits on the
    top floor and no app imports it."""

    name = "demo"
