from acompana.core.tests.cases import ViewCase

CASES = [ViewCase("apitokens:list")]
