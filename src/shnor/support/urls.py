from django.urls import path

from shnor.support.views import overview, programmes, schools, weak_skills

app_name = "support"
urlpatterns = [
    path("", overview.index, name="index"),
    path("timeline/", overview.timeline_page, name="timeline"),
    path("curators/", overview.curators, name="curators"),
    path("curators.<str:fmt>", overview.curators_document, name="curators_document"),
    path("partners/", overview.partners, name="partners"),
    path("partners.<str:fmt>", overview.partners_document, name="partners_document"),
    path("builder/", schools.builder, name="builder"),
    path("import/", schools.import_programme, name="import"),
    path("schools/<int:pk>/", schools.school, name="school"),
    path("schools/<int:pk>/partners/", schools.partners_for, name="partners_for"),
    path("schools/<int:pk>/visit/", schools.visit, name="visit"),
    path("schools/<int:pk>/skill-measure/", weak_skills.add_measure, name="skill_measure"),
    path("schools/<int:pk>/skill-deficits/", weak_skills.record_deficits, name="skill_deficits"),
    path("municipalities/<int:pk>/weak-skills/", weak_skills.municipality, name="weak_skills"),
    path("programmes/<int:pk>/", programmes.programme, name="programme"),
    path("programmes/<int:pk>.<str:fmt>", programmes.programme_document, name="document"),
    path("measures/<int:pk>/", programmes.measure, name="measure"),
    path("notes/<int:pk>/file", programmes.note_file, name="note_file"),
]
