from django import forms
from django.utils.translation import gettext_lazy as _

from parley.knowledge import locales
from parley.knowledge.models import ArticleStatus, Section


class ArticleForm(forms.Form):
    section = forms.ModelChoiceField(queryset=Section.objects.select_related("category"))
    locale = forms.ChoiceField(choices=list(locales.LANGUAGE_NAMES.items()), initial=locales.default_locale)
    title = forms.CharField(max_length=200)
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 18}), help_text=_("Markdown: **bold**, [links](https://…), lists, tables."))
    tags = forms.CharField(required=False, help_text=_("Comma separated"))
    status = forms.ChoiceField(choices=ArticleStatus.choices, initial=ArticleStatus.DRAFT)
    related = forms.CharField(required=False, help_text=_("Slugs of related articles, comma separated"))

    def tag_list(self) -> list[str]:
        return [t for t in self.cleaned_data["tags"].split(",") if t.strip()]

    def related_slugs(self) -> list[str]:
        return [s.strip() for s in self.cleaned_data["related"].split(",") if s.strip()]


class CategoryForm(forms.Form):
    name = forms.CharField(max_length=120)
    description = forms.CharField(max_length=300, required=False)


class SectionForm(forms.Form):
    category = forms.IntegerField(widget=forms.HiddenInput)
    name = forms.CharField(max_length=120)
