use clap::Parser;
use clap::error::ErrorKind;

fn main() {
    // `MASTERY_COMPLETE=bash mastery` (and zsh, fish, …): the shell asks
    // for completions, card and deck ids included, and nothing else runs.
    // Not clap's default `COMPLETE`: a variable of that common name set for
    // another tool would stop every command.
    clap_complete::CompleteEnv::with_factory(|| {
        use clap::CommandFactory;
        mastery::cli::Cli::command()
    })
    .var("MASTERY_COMPLETE")
    .complete();
    let cli = match mastery::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) => {
            e.exit()
        }
        // Bare `mastery`: clap's own "help when nothing is given" when no
        // MASTERY_* variable is set, a missing subcommand when one is
        // (they count as arguments to clap).
        Err(e)
            if matches!(
                e.kind(),
                ErrorKind::MissingSubcommand | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
            ) =>
        {
            use clap::CommandFactory;
            eprint!("{}", mastery::cli::Cli::command().render_help());
            std::process::exit(2);
        }
        Err(e) => {
            // A mistyped flag that a query swallowed is the real mistake.
            let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
            let line = mastery::cli::argument_mistake(&args, &e)
                .unwrap_or_else(|| mastery::cli::parse_error_line(&e));
            eprintln!("mastery: {}", mastery::render::sanitize(&line));
            std::process::exit(2);
        }
    };
    if let Err(err) = mastery::run(cli) {
        let code = err.exit_code();
        let report = match &err {
            // Deck errors are already `path:line: message` lines.
            mastery::Error::Decks(_) => err.to_string(),
            // One line: a newline typed into a query or a path is shown
            // as `\n`, not obeyed.
            _ => mastery::render::single_line(&format!("mastery: {:#}", anyhow::Error::from(err)))
                .into_owned(),
        };
        eprintln!("{}", mastery::render::sanitize(&report));
        std::process::exit(code);
    }
}
