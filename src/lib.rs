//! vyre
