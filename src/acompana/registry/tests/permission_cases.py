from acompana.core.tests.cases import ViewCase

CASES = [ViewCase("registry:stakeholder_list")]
