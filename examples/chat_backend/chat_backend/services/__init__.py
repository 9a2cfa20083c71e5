"""Business logic: authentication, rooms, messages and notifications.

Services are plain classes built once per application by ``chat_backend.app``;
they never reach into the WebSocket layer.
"""

# Keep imports absolute here as everywhere else (never `from .. import y`):
# the services are imported by path from tests and from the app factory.
