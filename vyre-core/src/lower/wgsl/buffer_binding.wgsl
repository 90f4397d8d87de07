//! One declared buffer's binding. Placeholders: NAME (the declared name,
//! comment-safe), KIND (its kind as the IR prints it), GROUP, BINDING,
//! ACCESS (`read` or `read_write`), IDENT (its WGSL name), TYPE (its WGSL
//! array type).
// Declared buffer `{{NAME}}` ({{KIND}}); logical length arrayLength - 1.
@group({{GROUP}}) @binding({{BINDING}}) var<storage, {{ACCESS}}> {{IDENT}}: {{TYPE}};
