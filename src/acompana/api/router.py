from ninja import NinjaAPI

api = NinjaAPI(title="Acompaña API", version="1", urls_namespace="api")
