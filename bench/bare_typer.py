"""The reference for start-up time: a bare Typer app with one command that prints a line."""

import typer

app = typer.Typer()


@app.command()
def hello() -> None:
    print("hello")


if __name__ == "__main__":
    app()
