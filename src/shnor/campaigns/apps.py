from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "shnor.campaigns"
    label = "campaigns"
    verbose_name = "Мониторинговые кампании"
