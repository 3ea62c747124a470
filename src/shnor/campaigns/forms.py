"""Forms of the campaigns' pages: every input goes through them, so a bad value is a message on
the page. The places and schools offered are narrowed to the coordinator's scope."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.db.models import QuerySet

from shnor.accounts.choices import Action
from shnor.campaigns.choices import RoundMonth
from shnor.campaigns.definition import DefinitionError, parse
from shnor.campaigns.models import Campaign
from shnor.core.params import FIRST_YEAR, LAST_YEAR
from shnor.core.scope import restrict
from shnor.core.uploads import IMPORT, UploadField
from shnor.identification.choices import Status
from shnor.registry.models import Municipality, School
from shnor.risks.services import schools_with_status

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CampaignForm(forms.ModelForm):
    """A new campaign: the round, the deadline and the form's definition as written YAML."""

    text = forms.CharField(
        label="Вопросы и таблицы формы",
        widget=forms.Textarea({"rows": 24, "class": "code"}),
        max_length=100_000,
    )

    class Meta:
        model = Campaign
        fields = ["municipality", "title", "year", "month", "deadline"]
        widgets = {"deadline": DATE_INPUT}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        field = self.fields["municipality"]
        if user.municipality_id:
            field.queryset = Municipality.objects.filter(pk=user.municipality_id)  # type: ignore[attr-defined]
            field.required = True
            field.empty_label = None  # type: ignore[attr-defined]
        else:
            field.queryset = restrict(Municipality.objects.all(), user).order_by("name")  # type: ignore[attr-defined]
            field.empty_label = "региональный уровень"  # type: ignore[attr-defined]
        self.fields["year"].min_value = FIRST_YEAR  # type: ignore[attr-defined]
        self.fields["year"].widget.attrs.update(min=FIRST_YEAR, max=LAST_YEAR)

    def clean_year(self) -> int:
        year = int(self.cleaned_data["year"])
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise forms.ValidationError(f"Год от {FIRST_YEAR} до {LAST_YEAR}")
        return year

    def clean_text(self) -> str:
        text = self.cleaned_data["text"]
        try:
            self.definition = parse(text)
        except DefinitionError as error:
            raise forms.ValidationError(str(error)) from None
        return text

    def save(self, commit: bool = True) -> Campaign:
        campaign: Campaign = super().save(commit=False)
        municipality = self.cleaned_data.get("municipality")
        campaign.region_id = municipality.region_id if municipality else self.region_id()
        campaign.definition = self.definition
        return campaign

    def region_id(self) -> int:
        return int(
            self.user.region_id or restrict(Municipality.objects.all(), self.user)[0].region_id
        )


def campaign_initial(template: str, today: date) -> dict[str, Any]:
    """A new campaign's initial values: the next round after today and the shipped template."""
    if today.month < RoundMonth.FEBRUARY:
        year, month = today.year, RoundMonth.FEBRUARY
    elif today.month < RoundMonth.SEPTEMBER:
        year, month = today.year, RoundMonth.SEPTEMBER
    else:
        year, month = today.year + 1, RoundMonth.FEBRUARY
    return {
        "year": year,
        "month": month,
        "text": template,
        "title": "Мониторинг эффективности ШППКО",
    }


GROUPS = [
    ("", "только отмеченные"),
    ("all", "все школы"),
    ("listed", "ШНОР по текущему списку"),
    ("risk", "ШНОР и зона риска по текущему списку"),
]


class SendForm(forms.Form):
    """The schools to send a campaign to: picked by hand, by municipality or by list status."""

    schools = forms.ModelMultipleChoiceField(
        queryset=School.objects.none(),
        required=False,
        label="Школы",
        widget=forms.CheckboxSelectMultiple,
    )
    municipality = forms.ModelChoiceField(
        queryset=Municipality.objects.none(), required=False, label="Муниципалитет"
    )
    group = forms.ChoiceField(choices=GROUPS, required=False, label="Добавить группу")

    def __init__(self, *args: Any, campaign: Campaign, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.open = sendable_schools(campaign, user)
        self.fields["schools"].queryset = self.open  # type: ignore[attr-defined]
        self.fields["municipality"].queryset = Municipality.objects.filter(  # type: ignore[attr-defined]
            pk__in=self.open.values("municipality")
        ).order_by("name")

    def chosen(self) -> list[School]:
        picked = set(self.cleaned_data["schools"])
        group, municipality = self.cleaned_data["group"], self.cleaned_data["municipality"]
        if group:
            pool = self.open
            if municipality is not None:
                pool = pool.filter(municipality=municipality)
            if group != "all":
                statuses = (Status.LOW_RESULTS, *((Status.RISK_ZONE,) if group == "risk" else ()))
                pool = pool.filter(pk__in=schools_with_status(self.user, statuses))
            picked |= set(pool)
        return sorted(picked, key=lambda s: (s.municipality_id, s.name))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and not self.chosen():
            raise forms.ValidationError("Не выбрано ни одной школы")
        return data


def sendable_schools(campaign: Campaign, user: Any) -> QuerySet[School]:
    schools = restrict(School.objects.all(), user, Action.CHANGE).filter(
        municipality__region_id=campaign.region_id
    )
    if campaign.municipality_id:
        schools = schools.filter(municipality_id=campaign.municipality_id)
    return schools.select_related("municipality").order_by("municipality__name", "name")


class UploadForm(forms.Form):
    file = UploadField(IMPORT, label="Заполненная форма (XLSX)")
