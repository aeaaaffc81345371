from acompana.core.tests.api_case import ApiCase

API_CASES = [ApiCase("sample_visit_list")]
