"""The habeas-data notice (aviso de privacidad, Ley 1581 de 2012) shown when consent is asked.

The text is legal wording in Spanish and deliberately not translated through gettext: a
consent proves that the person saw *this* text, so each consent stores the notice version
and the SHA-256 hash of the text as shown (with the organization's name and NIT filled in).
A changed text is a new version; old versions stay here so old consents can be verified.
Every place that shows a notice also links the organization's data-processing policy
(``policy_path``; the admin writes it on the organization page, the public page shows it).
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.urls import reverse

NOTICE_VERSIONS: dict[str, str] = {
    "2026.1": (
        "AVISO DE PRIVACIDAD Y AUTORIZACIÓN PARA EL TRATAMIENTO DE DATOS PERSONALES\n"
        "\n"
        "{organization} (NIT {nit}), como responsable del tratamiento, recolecta sus datos "
        "personales en el marco de la asistencia técnica que presta a sus grupos de valor, "
        "conforme a la Ley 1581 de 2012 y al Decreto 1074 de 2015.\n"
        "\n"
        "Finalidades. Sus datos se usarán solo para las finalidades que usted autorice:\n"
        "1. Contactarle para convocar, programar y hacer seguimiento a la asistencia técnica.\n"
        "2. Registrar su asistencia a las sesiones y expedir las constancias o certificados.\n"
        "3. Invitarle a evaluar la satisfacción y el impacto de la asistencia recibida.\n"
        "4. Registrar datos de enfoque diferencial (curso de vida, identidad de género, "
        "pertenencia étnica, discapacidad, condición de víctima del conflicto armado) con fines "
        "estadísticos, presentados siempre de forma agregada.\n"
        "\n"
        "Datos sensibles. Los datos de la finalidad 4 son sensibles. Usted no está obligado a "
        "suministrarlos ni a autorizar su tratamiento; puede responder «prefiero no responder». "
        "Su asistencia y la prestación del servicio no dependen de esa respuesta. Los datos de "
        "niñas, niños y adolescentes se tratan respetando su interés superior y con "
        "autorización de su representante legal.\n"
        "\n"
        "Sus derechos. Usted puede conocer, actualizar y rectificar sus datos; solicitar prueba "
        "de esta autorización; ser informado sobre el uso dado a sus datos; presentar quejas "
        "ante la Superintendencia de Industria y Comercio; y revocar esta autorización o "
        "solicitar la supresión de sus datos cuando no exista un deber legal o contractual de "
        "conservarlos. La revocación bloquea de inmediato el uso de sus datos sensibles en "
        "reportes y estadísticas; los registros sujetos a retención documental se conservan "
        "bloqueados, no se eliminan.\n"
        "\n"
        "Para ejercer sus derechos, comuníquese por los canales de atención de {organization}. "
        "La política de tratamiento de datos personales de la entidad está publicada en su "
        "sitio web.\n"
    ),
}
# 2026.2: the same notice, pointing to the policy the organization publishes on its public
# page (``core:organization_data_policy``), whose address is shown next to every notice.
NOTICE_VERSIONS["2026.2"] = NOTICE_VERSIONS["2026.1"].replace(
    "La política de tratamiento de datos personales de la entidad está publicada en su "
    "sitio web.\n",
    "La política de tratamiento de datos personales de {organization} está publicada en su "
    "página pública, en la dirección que acompaña este aviso.\n",
)

CURRENT_NOTICE_VERSION = "2026.2"


def notice_text(*, organization: Any, version: str = CURRENT_NOTICE_VERSION) -> str:
    """The notice of ``version`` as shown to people of ``organization``."""
    template = NOTICE_VERSIONS[version]
    return template.format(organization=organization.name, nit=organization.nit)


def policy_path(*, organization: Any) -> str:
    """Where ``organization`` publishes its data-processing policy (linked from every notice:
    the templates that show a notice include ``core/public/_policy_link.html``)."""
    return reverse("core:organization_data_policy", args=[organization.slug])


def notice_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
