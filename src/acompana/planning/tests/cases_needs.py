"""Permission cases (ViewCase) and API cases (ApiCase) of planning's needs area."""

CASES: list = []
API_CASES: list = []
