"""Permission cases (ViewCase) and API cases (ApiCase) of planning's strategy area."""

CASES: list = []
API_CASES: list = []
