import typer  # PLACEHOLDER: replaced by the catalog work
catalog_app = typer.Typer()
