use clap::Parser;

fn main() {
    let cli = mastery::cli::Cli::parse();
    if let Err(err) = mastery::run(cli) {
        let code = err.exit_code();
        let report = match &err {
            // Deck errors are already `path:line: message` lines.
            mastery::Error::Decks(_) => err.to_string(),
            _ => format!("mastery: {:#}", anyhow::Error::from(err)),
        };
        eprintln!("{report}");
        std::process::exit(code);
    }
}
