"""Permission cases (ViewCase) and API cases (ApiCase) of planning's prioritisation area."""

CASES: list = []
API_CASES: list = []
