//! The command line, as clap definitions only: no logic lives here. Doc comments are the
//! help text, and `man/mailcfg.1` is generated from these definitions.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Find the IMAP, POP3 and SMTP settings for an email address, verified against the
/// servers themselves.
#[derive(Debug, Parser)]
#[command(
    name = "mailcfg",
    version,
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Find and verify the settings to type into a mail client for EMAIL.
    Detect(DetectArgs),
    /// Connect to a mail server and report what it really offers: TLS or STARTTLS,
    /// capabilities, authentication mechanisms and the certificate.
    Probe(ProbeArgs),
    /// Log in once on the incoming and the outgoing server (no mail is sent), to tell a
    /// wrong password from wrong settings.
    Check(CheckArgs),
    /// Write a file that configures a mail client for EMAIL (the settings `detect` finds).
    Export(ExportArgs),
    /// Check what DOMAIN publishes for mail clients (autoconfig, SRV, autodiscover, MX)
    /// and whether its servers agree; every problem comes with its fix. Exits 0 when
    /// clean (or information only), 1 with warnings, 3 with errors: fit for CI.
    Lint(LintArgs),
    /// Print a shell completion script for mailcfg (bash, zsh, fish, powershell, elvish).
    Completions(CompletionsArgs),
}

/// The command-line definition with the exit-code table (from [`crate::exit`]) appended to
/// the help of the program and of every subcommand. `--help`, the man pages and the
/// completion scripts are all made from this.
pub fn command() -> clap::Command {
    use clap::CommandFactory;
    let names: Vec<String> = Cli::command()
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    let mut command = Cli::command().after_help(crate::exit::help_text(None));
    for name in names {
        let help = crate::exit::help_text(Some(&name));
        command = command.mut_subcommand(name, |sub| sub.after_help(help));
    }
    command
}

/// Parse the process's arguments against [`command`].
pub fn parse() -> Result<Cli, clap::Error> {
    use clap::FromArgMatches;
    let mut matches = command().try_get_matches()?;
    Cli::from_arg_matches_mut(&mut matches)
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to write the completion script for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// Options for every command that touches the network.
#[derive(Debug, Args)]
pub struct NetworkArgs {
    /// Limit for each network step (connect, TLS handshake, each reply), in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 5.0)]
    pub timeout: f64,

    /// Resolve names through this DNS server instead of the system resolver.
    #[arg(long, value_name = "IP[:PORT]")]
    pub dns_server: Option<String>,

    /// Also trust the CA certificates in this PEM file (a corporate or test CA), besides
    /// the built-in Mozilla roots.
    #[arg(long, value_name = "PEM")]
    pub ca_file: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ProbeArgs {
    /// The server: HOST, HOST:PORT or [IPv6]:PORT. Without a port every standard port of
    /// the protocol(s) is probed: IMAP 993 and 143, POP3 995 and 110, SMTP 465, 587 and 25.
    #[arg(value_name = "HOST[:PORT]")]
    pub target: String,

    /// The protocol to speak. Without it: all three (with a port, the protocol that
    /// port is standard for, else all three).
    #[arg(long, value_enum)]
    pub protocol: Option<ProtocolArg>,

    /// Insist on this security instead of deciding by port (implicit TLS on 993, 995 and
    /// 465; STARTTLS when offered elsewhere).
    #[arg(long, value_enum)]
    pub security: Option<SecurityArg>,

    /// Print one JSON document (schema 1) instead of tables.
    #[arg(long)]
    pub json: bool,

    /// Give up on everything not finished after this many seconds (default: four times
    /// --timeout).
    #[arg(long, value_name = "SECS")]
    pub deadline: Option<f64>,

    #[command(flatten)]
    pub network: NetworkArgs,
}

#[derive(Debug, Args)]
pub struct DetectArgs {
    /// The email address, e.g. taro@example.jp.
    #[arg(value_name = "EMAIL")]
    pub email: String,

    /// Output format.
    #[arg(long, value_enum, default_value_t = FormatArg::Table)]
    pub format: FormatArg,

    /// Same as --format json.
    #[arg(long, conflicts_with = "format")]
    pub json: bool,

    /// Print the settings as this mail client asks for them, screen by screen, under its
    /// own labels (the Japanese version's with --lang ja). With --format html: a one-page
    /// setup sheet for the client.
    #[arg(long, value_enum, value_name = "CLIENT", conflicts_with = "json")]
    pub client: Option<ClientArg>,

    /// Also show every source consulted, what it answered, timings and the probe matrix.
    #[arg(long, short = 'v')]
    pub explain: bool,

    #[command(flatten)]
    pub lookup: LookupArgs,
}

/// How `detect` (and `export`, which runs it) looks settings up: shared, so both take
/// the same options.
#[derive(Debug, Args)]
pub struct LookupArgs {
    /// Use only the bundled provider table: no network at all.
    #[arg(long)]
    pub offline: bool,

    /// Look settings up (DNS, autoconfig, …) but do not connect to mail servers.
    #[arg(long)]
    pub no_probe: bool,

    /// Language of labels and notes (default: from LANG; ja_JP.* gives Japanese).
    #[arg(long, value_enum)]
    pub lang: Option<LangArg>,

    /// Base URL of the Thunderbird ISP database; queried as <URL>/<domain>.
    #[arg(
        long,
        value_name = "URL",
        default_value = "https://autoconfig.thunderbird.net/v1.1"
    )]
    pub ispdb_url: String,

    /// Do not query the ISP database.
    #[arg(long)]
    pub no_ispdb: bool,

    /// Give up on lookups and probes not finished after this many seconds (default: six
    /// times --timeout).
    #[arg(long, value_name = "SECS")]
    pub deadline: Option<f64>,

    #[command(flatten)]
    pub network: NetworkArgs,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The email address whose account is tested, e.g. taro@example.jp.
    #[arg(value_name = "EMAIL")]
    pub email: String,

    /// Test this IMAP server instead of detect's recommendation. With any of --imap,
    /// --pop3, --smtp only the servers named are tested, and detect is not run.
    #[arg(long, value_name = "HOST[:PORT]")]
    pub imap: Option<String>,

    /// Test this POP3 server (see --imap).
    #[arg(long, value_name = "HOST[:PORT]")]
    pub pop3: Option<String>,

    /// Test this SMTP submission server (see --imap).
    #[arg(long, value_name = "HOST[:PORT]")]
    pub smtp: Option<String>,

    /// The security of the servers named with --imap/--pop3/--smtp (default: implicit TLS
    /// on 993, 995 and 465, STARTTLS elsewhere). `plain` needs --allow-plaintext.
    #[arg(long, value_enum)]
    pub security: Option<SecurityArg>,

    /// The user name to log in with (default: what detect found, or the whole address).
    #[arg(long, value_name = "NAME")]
    pub username: Option<String>,

    /// Read the password from the first line of standard input.
    #[arg(long, conflicts_with = "password_env")]
    pub password_stdin: bool,

    /// Read the password from this environment variable. Without this or
    /// --password-stdin, the password is asked for on the terminal (not echoed).
    #[arg(long, value_name = "VAR")]
    pub password_env: Option<String>,

    /// For a lab only: also send the password over an unencrypted connection. Warns
    /// loudly; never implied.
    #[arg(long)]
    pub allow_plaintext: bool,

    /// Print one JSON document (schema 1) instead of text.
    #[arg(long)]
    pub json: bool,

    /// Language of the text (default: from LANG; ja_JP.* gives Japanese).
    #[arg(long, value_enum)]
    pub lang: Option<LangArg>,

    /// Base URL of the Thunderbird ISP database, for detect.
    #[arg(
        long,
        value_name = "URL",
        default_value = "https://autoconfig.thunderbird.net/v1.1"
    )]
    pub ispdb_url: String,

    /// Do not query the ISP database.
    #[arg(long)]
    pub no_ispdb: bool,

    #[command(flatten)]
    pub network: NetworkArgs,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The email address, e.g. taro@example.jp.
    #[arg(value_name = "EMAIL")]
    pub email: String,

    /// The file to produce.
    #[arg(long, value_enum)]
    pub format: ExportFormatArg,

    /// Write to FILE instead of standard output: complete or not at all (a temporary file
    /// in the same directory, renamed over FILE when it is whole). Nothing is written
    /// when nothing usable was found.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// thunderbird only: the file a domain owner publishes at
    /// https://autoconfig.<domain>/mail/config-v1.1.xml, with placeholders instead of
    /// one person's address.
    #[arg(long)]
    pub domain_only: bool,

    /// html only: the mail client whose screens and labels the setup sheet shows.
    #[arg(long, value_enum, value_name = "CLIENT")]
    pub client: Option<ClientArg>,

    #[command(flatten)]
    pub lookup: LookupArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormatArg {
    /// Thunderbird autoconfig (clientConfig 1.1) XML.
    Thunderbird,
    /// Apple configuration profile (.mobileconfig, unsigned) for iOS, iPadOS and macOS Mail.
    Apple,
    /// Outlook autodiscover (POX) response XML.
    Autodiscover,
    /// The same JSON document as `detect --json`.
    Json,
    /// msmtp account (~/.msmtprc).
    Msmtp,
    /// mbsync (isync 1.4) channel (~/.mbsyncrc).
    Mbsync,
    /// aerc account (~/.config/aerc/accounts.conf).
    Aerc,
    /// NeoMutt account settings (~/.config/neomutt/neomuttrc).
    Neomutt,
    /// A one-page, print-ready HTML setup sheet for the mail client named by --client.
    Html,
}

#[derive(Debug, Args)]
pub struct LintArgs {
    /// The domain to check, e.g. example.jp (an email address is accepted: its domain is
    /// checked).
    #[arg(value_name = "DOMAIN")]
    pub domain: String,

    /// Print one JSON document (schema 1) instead of tables.
    #[arg(long)]
    pub json: bool,

    /// Language of the report (default: from LANG; ja_JP.* gives Japanese).
    #[arg(long, value_enum)]
    pub lang: Option<LangArg>,

    /// Give up on lookups and probes not finished after this many seconds (default: eight
    /// times --timeout).
    #[arg(long, value_name = "SECS")]
    pub deadline: Option<f64>,

    #[command(flatten)]
    pub network: NetworkArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ProtocolArg {
    Imap,
    Pop3,
    Smtp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SecurityArg {
    /// Implicit TLS from the first byte.
    Tls,
    /// Plain connection upgraded with STARTTLS / STLS.
    Starttls,
    /// No encryption.
    Plain,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// Tables for people.
    Table,
    /// One JSON document (schema 1) for scripts.
    Json,
    /// A Thunderbird autoconfig (config-v1.1) XML file.
    Thunderbird,
    /// A one-page, print-ready HTML setup sheet for --client.
    Html,
}

/// The mail clients `--client` writes guides for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ClientArg {
    /// Thunderbird (desktop).
    Thunderbird,
    /// Classic Outlook for Windows (2016, 2019, 2021, Microsoft 365).
    Outlook,
    /// The new Outlook for Windows.
    NewOutlook,
    /// The Mail app of Windows 10/11.
    WindowsMail,
    /// Mail on macOS.
    AppleMail,
    /// Mail on iPhone and iPad (iOS 17/18).
    Ios,
    /// The Gmail app on Android ("Other" account).
    Android,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LangArg {
    En,
    Ja,
}
