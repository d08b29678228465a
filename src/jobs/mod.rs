//! Background jobs: a queue in PostgreSQL ([`queue`]) and the workers every `serve` instance
//! runs ([`runner`]). Features queue typed jobs through [`queue`]; the runner, like `startup`,
//! is where the job kinds meet the code that performs them.

pub mod queue;
pub mod runner;

pub use queue::{JobKind, Schedule};
pub use runner::{JobContext, Ping};
