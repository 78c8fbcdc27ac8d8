//! `kefu`: the command line for content staff and merchants. A thin layer over kefu-core
//! (one file per subcommand in `cmd/`) and kefu-server (`serve`, `report`).

mod cmd;
mod source;
mod watch;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "kefu", version, about = "Build and test the knowledge base behind the kefu chat widget.", long_about = None)]
#[command(
    after_help = "Examples:\n  kefu check www/demo/kb/en\n  kefu build www/demo/kb/en -o kb.kefu\n  kefu ask kb.kefu \"where is my parcel\"\n  kefu eval ../shared/eval/banking77/full.tsv\n  kefu inspect kb.kefu\n  kefu playground www/demo/kb/en"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build a bundle (one .kefu file) from a KB folder or file.
    Build(cmd::build_watch::Args),
    /// Lint a KB: duplicate ids, empty answers, dangling quick replies … with file:line.
    Check(cmd::check::Args),
    /// Ask a bundle a question: top entries, scores, the decision and the widget's reply.
    Ask(cmd::ask::Args),
    /// Talk to a bundle as a shopper would, one message per line (multi-turn).
    Chat(cmd::chat::Args),
    /// Score an evaluation TSV (kb rows build the KB, query rows are asked).
    Eval(cmd::eval::Args),
    /// Cluster the log of unanswered questions and show what the KB is missing.
    Gaps(cmd::gaps::Args),
    /// Show a bundle's manifest and sizes.
    Inspect(cmd::inspect::Args),
    /// A local page to try a KB: the reply, ranking, confidence and why; rebuilds on save.
    Playground(cmd::playground::Args),
    /// Run the hand-off receiver and agent inbox.
    Serve(Box<kefu_server::ServeArgs>),
    /// Weekly service figures from the hand-off database.
    Report(kefu_server::ReportArgs),
}

fn main() -> ExitCode {
    // Panics of the index reader on a damaged bundle are errors naming the file, not traces.
    kefu_core::guard::quiet_panics();
    let cli = Cli::parse();
    // Rust ignores SIGPIPE, so a closed stdout (`kefu ask … | head -1`) made every println!
    // panic. The commands that print end as `cat` does instead: killed by the signal, without
    // a word (the shell's status is 141). The servers keep it ignored: a browser that hangs up
    // must only fail that one write.
    if !matches!(cli.command, Command::Serve(_) | Command::Playground(_)) {
        #[cfg(unix)]
        // SAFETY: no other thread runs yet, and SIG_DFL is a valid disposition for SIGPIPE.
        unsafe {
            libc::signal(libc::SIGPIPE, libc::SIG_DFL);
        }
    }
    // Errors of the server commands carry their name, like the server's own messages.
    let (name, result) = match cli.command {
        Command::Build(a) => ("kefu", cmd::build_watch::run(a)),
        Command::Check(a) => ("kefu", cmd::check::run(a)),
        Command::Ask(a) => ("kefu", cmd::ask::run(a)),
        Command::Chat(a) => ("kefu", cmd::chat::run(a)),
        Command::Eval(a) => ("kefu", cmd::eval::run(a)),
        Command::Gaps(a) => ("kefu", cmd::gaps::run(a)),
        Command::Inspect(a) => ("kefu", cmd::inspect::run(a)),
        Command::Playground(a) => ("kefu playground", cmd::playground::run(a)),
        Command::Serve(a) => ("kefu serve", kefu_server::serve(*a).map(|_| ExitCode::SUCCESS)),
        Command::Report(a) => ("kefu report", kefu_server::report(a).map(|_| ExitCode::SUCCESS)),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("{name}: {e:#}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    /// clap's own consistency checks (duplicate names and groups, bad defaults) run on every
    /// parse in debug builds only: a release build never sees them. The duplicate group they
    /// found (`kefu build` panicked in debug builds) is checked here in any build.
    #[test]
    fn the_command_line_is_well_formed() {
        use clap::CommandFactory;
        let cli = super::Cli::command();
        cli.clone().debug_assert();
        for sub in cli.get_subcommands() {
            let mut ids: Vec<&str> = sub.get_groups().map(|g| g.get_id().as_str()).collect();
            ids.sort_unstable();
            let n = ids.len();
            ids.dedup();
            assert_eq!(ids.len(), n, "`kefu {}` has two argument groups of one name", sub.get_name());
        }
    }
}
