from django.urls import reverse

from tests.sample_stage.models import SampleVisit


def pending_work(user):
    count = SampleVisit.objects.for_user(user).count()
    if not count:
        return []
    return [("Visitas de prueba por revisar", str(count), reverse("sample_stage:visit_list"))]
