"""The example agents shipped with rtagent: YAML configs, their tool modules (tools/) and demo scripts (demos/).

In a clone they live here; an installed rtagent carries them as realtime_cli.examples (`rtagent examples`).
"""
