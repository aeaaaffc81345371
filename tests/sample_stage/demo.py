from tests.sample_stage.models import SampleVisit


def load(*, organization, spec):
    SampleVisit.objects.get_or_create(organization=organization, name="Visita de demostración")
