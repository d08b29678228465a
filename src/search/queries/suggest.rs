//! "Did you mean": a spelling from listing titles close to a word that is not one.

use diesel::prelude::*;
use diesel::sql_types::Text;

/// A spelling from listing titles close to `word`, when `word` itself is not one.
pub fn suggest_word(conn: &mut PgConnection, word: &str) -> QueryResult<Option<String>> {
    #[derive(QueryableByName)]
    struct Word {
        #[diesel(sql_type = Text)]
        word: String,
    }
    let word = word.to_lowercase();
    let known: Vec<Word> = diesel::sql_query("SELECT word FROM title_words WHERE word = $1")
        .bind::<Text, _>(&word)
        .load(conn)?;
    if !known.is_empty() {
        return Ok(None);
    }
    // The closest word that is not merely another form of the same word ("bikes" already
    // finds "bike": stemming does that).
    let closest: Vec<Word> = diesel::sql_query(
        "SELECT word FROM title_words
         WHERE word % $1 AND to_tsvector('english', word) <> to_tsvector('english', $1)
         ORDER BY similarity(word, $1) DESC, word LIMIT 1",
    )
    .bind::<Text, _>(&word)
    .load(conn)?;
    Ok(closest.into_iter().next().map(|w| w.word))
}
