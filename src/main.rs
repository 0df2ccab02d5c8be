use clap::Parser;
use clap::error::ErrorKind;

fn main() {
    let cli = match mastery::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) => {
            e.exit()
        }
        Err(e) => {
            eprintln!(
                "mastery: {}",
                mastery::render::sanitize(&mastery::cli::parse_error_line(&e))
            );
            std::process::exit(2);
        }
    };
    if let Err(err) = mastery::run(cli) {
        let code = err.exit_code();
        let report = match &err {
            // Deck errors are already `path:line: message` lines.
            mastery::Error::Decks(_) => err.to_string(),
            _ => format!("mastery: {:#}", anyhow::Error::from(err)),
        };
        eprintln!("{}", mastery::render::sanitize(&report));
        std::process::exit(code);
    }
}
