"""cdktf app entry point (`cdktf synth` runs this): load the environment, build its stacks, synthesize."""

from cdktf import App

from modules.config import load_environment
from stacks.app import build_stacks


def main() -> None:
    app = App()
    build_stacks(app, load_environment())
    app.synth()


if __name__ == "__main__":
    main()
