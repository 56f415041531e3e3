"""Small Django-aware helpers shared by the apps."""
