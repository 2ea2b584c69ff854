from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "parley.surveys"
    label = "surveys"
