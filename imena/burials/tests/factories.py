from __future__ import annotations

import factory

from imena.burials.models import Grave, Site


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site

    code = factory.Sequence(lambda n: f"site-{n}")
    name = factory.Sequence(lambda n: f"Лісове кладовище {n}")
    settlement = "Ізюм"
    region = "Харківська область"


class GraveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Grave

    site = factory.SubFactory(SiteFactory)
    ref = factory.LazyAttributeSequence(lambda g, n: Grave.make_ref(g.site.code, n))
    marker_text = factory.Sequence(lambda n: f"№ {n}")
    number = factory.LazyAttribute(lambda g: g.marker_text.replace("№", "").strip())
