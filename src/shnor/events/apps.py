from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "shnor.events"
    label = "events"
    verbose_name = "Мероприятия и документы"
