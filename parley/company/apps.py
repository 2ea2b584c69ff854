from django.apps import AppConfig


class CompanyConfig(AppConfig):
    name = "parley.company"
    label = "company"
    verbose_name = "Company"
