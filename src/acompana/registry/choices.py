"""Choices of the registry. Values are English code names; labels are what users read."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class StakeholderKind(models.TextChoices):
    """The kinds of grupo de valor of DESIGN section 2."""

    NATIONAL_ENTITY = "national_entity", _("Public entity, national order")
    TERRITORIAL_ENTITY = "territorial_entity", _("Public entity, territorial order")
    MUNICIPALITY = "municipality", _("Municipality (alcaldía)")
    DEPARTMENT = "department", _("Department (gobernación)")
    SCHOOL = "school", _("School (establecimiento educativo)")
    SCHOOL_SITE = "school_site", _("School site (sede)")
    HEALTH_ACTOR = "health_actor", _("Health-system actor (IPS, ESE, EPS)")
    SOCIAL_ORGANIZATION = "social_organization", _("Social organisation")
    OTHER = "other", _("Other")


class EntityOrder(models.TextChoices):
    """Order of a public entity (FP-5 asks national ones whether a topic is a legal
    obligation). Derived from the stakeholder's kind (``Stakeholder.entity_order``)."""

    NATIONAL = "national", _("National order")
    TERRITORIAL = "territorial", _("Territorial order")


#: the kinds that are public entities of each order (the others are not entities of an order)
ENTITY_ORDER_OF_KIND: dict[str, str] = {
    StakeholderKind.NATIONAL_ENTITY: EntityOrder.NATIONAL,
    StakeholderKind.TERRITORIAL_ENTITY: EntityOrder.TERRITORIAL,
    StakeholderKind.MUNICIPALITY: EntityOrder.TERRITORIAL,
    StakeholderKind.DEPARTMENT: EntityOrder.TERRITORIAL,
}


class HealthSubtype(models.TextChoices):
    IPS = "ips", _("IPS (health service provider)")
    ESE = "ese", _("ESE (state social enterprise)")
    EPS = "eps", _("EPS (health insurer)")


class MunicipalityCategory(models.TextChoices):
    """Categories of municipalities, Ley 617 de 2000 (article 2)."""

    SPECIAL = "E", _("Special")
    FIRST = "1", _("First")
    SECOND = "2", _("Second")
    THIRD = "3", _("Third")
    FOURTH = "4", _("Fourth")
    FIFTH = "5", _("Fifth")
    SIXTH = "6", _("Sixth")


#: Departments have categories especial and 1 to 4 (Ley 617 de 2000, article 1).
DEPARTMENT_CATEGORIES = frozenset({"E", "1", "2", "3", "4"})


class DocumentType(models.TextChoices):
    """Identity documents of people (see ``validators.DOCUMENT_PATTERNS`` for the formats)."""

    CC = "CC", _("Citizenship card (CC)")
    TI = "TI", _("Identity card (TI)")
    RC = "RC", _("Civil birth registration (RC)")
    CE = "CE", _("Foreigner ID card (CE)")
    PA = "PA", _("Passport (PA)")
    PPT = "PPT", _("Temporary protection permit (PPT)")
    PEP = "PEP", _("Special stay permit (PEP)")


PREFER_NOT = "prefer_not"
PREFER_NOT_LABEL = _("Prefer not to answer")


class AgeGroup(models.TextChoices):
    """Life course (curso de vida) as used by the Ministry of Health."""

    EARLY_CHILDHOOD = "early_childhood", _("Early childhood (0–5 years)")
    CHILDHOOD = "childhood", _("Childhood (6–11 years)")
    ADOLESCENCE = "adolescence", _("Adolescence (12–17 years)")
    YOUTH = "youth", _("Youth (18–28 years)")
    ADULTHOOD = "adulthood", _("Adulthood (29–59 years)")
    OLD_AGE = "old_age", _("Old age (60 years or more)")
    PREFER_NOT_TO_ANSWER = PREFER_NOT, PREFER_NOT_LABEL


class Gender(models.TextChoices):
    WOMAN = "woman", _("Woman")
    MAN = "man", _("Man")
    TRANS_WOMAN = "trans_woman", _("Trans woman")
    TRANS_MAN = "trans_man", _("Trans man")
    NON_BINARY = "non_binary", _("Non-binary")
    OTHER = "other", _("Other identity")
    PREFER_NOT_TO_ANSWER = PREFER_NOT, PREFER_NOT_LABEL


class Ethnicity(models.TextChoices):
    """Ethnic self-recognition as asked by the DANE census."""

    INDIGENOUS = "indigenous", _("Indigenous")
    AFRO = "afro", _("Black, Afro-Colombian")
    RAIZAL = "raizal", _("Raizal")
    PALENQUERO = "palenquero", _("Palenquero")
    RROM = "rrom", _("Rrom (gypsy)")
    NONE = "none", _("No ethnic self-recognition")
    PREFER_NOT_TO_ANSWER = PREFER_NOT, PREFER_NOT_LABEL


class Disability(models.TextChoices):
    """Disability categories of Resolución 113 de 2020 (Ministry of Health)."""

    NONE = "none", _("No disability")
    PHYSICAL = "physical", _("Physical")
    HEARING = "hearing", _("Hearing")
    VISUAL = "visual", _("Visual")
    DEAFBLIND = "deafblind", _("Deafblindness")
    INTELLECTUAL = "intellectual", _("Intellectual")
    PSYCHOSOCIAL = "psychosocial", _("Psychosocial (mental)")
    MULTIPLE = "multiple", _("Multiple")
    PREFER_NOT_TO_ANSWER = PREFER_NOT, PREFER_NOT_LABEL


class YesNo(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    PREFER_NOT_TO_ANSWER = PREFER_NOT, PREFER_NOT_LABEL


#: The differential-approach attributes of a person: sensitive data (Ley 1581, article 5).
SENSITIVE_FIELDS = ("age_group", "gender", "ethnicity", "disability", "conflict_victim")


class ConsentPurpose(models.TextChoices):
    """What the person authorises the organization to do with the data."""

    CONTACT = "contact", _("Contact about technical assistance")
    ATTENDANCE = "attendance", _("Attendance records and certificates")
    EVALUATION = "evaluation", _("Satisfaction and impact evaluation")
    SENSITIVE_DATA = "sensitive_data", _("Differential-approach (sensitive) data")


class ConsentChannel(models.TextChoices):
    PAPER = "paper", _("Signed paper form")
    WEB_FORM = "web_form", _("Web form")
    IN_PERSON = "in_person", _("In person (verbal, recorded)")
    EMAIL = "email", _("E-mail")


class ActiveFilter(models.TextChoices):
    ACTIVE = "yes", pgettext_lazy("stakeholder", "Active")
    INACTIVE = "no", pgettext_lazy("stakeholder", "Inactive")
