from acompana.core.tests.cases import ViewCase

CASES = [ViewCase("catalog:home")]
