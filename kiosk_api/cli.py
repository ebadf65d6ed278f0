import typer  # PLACEHOLDER: replaced by the kiosk_api work
report_app = typer.Typer()
