//! The id of each table's row as its own type, in the manner of Lemmy's `newtypes`: a
//! `ListingId` cannot be passed where a `UserId` is wanted, yet both bind and read as the
//! `bigint` they are. They live here, not in their features, because the session (plumbing)
//! carries a `UserId` and several features refer to listings and members.

crate::id_type! {
    /// A member (`users.id`).
    pub struct UserId;
}

crate::id_type! {
    /// A listing (`listings.id`).
    pub struct ListingId;
}

crate::id_type! {
    /// A saved search (`saved_searches.id`).
    pub struct SavedSearchId;
}

crate::id_type! {
    /// A background job (`jobs.id`).
    pub struct JobId;
}

crate::id_type! {
    /// A conversation (`conversations.id`).
    pub struct ConversationId;
}

crate::id_type! {
    /// One participant's place in a conversation (`conversation_members.id`).
    pub struct MemberId;
}

crate::id_type! {
    /// A message (`messages.id`); in commit order within its conversation.
    pub struct MessageId;
}

crate::id_type! {
    /// An owner's appeal against a moderation decision (`appeals.id`).
    pub struct AppealId;
}

crate::id_type! {
    /// A chat room guest: a name remembered by a browser (`chat_guests.id`).
    pub struct GuestId;
}
