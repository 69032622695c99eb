/** The output formats every report renders to (`--format`); one model, three renderings. */
export type Format = 'text' | 'json' | 'markdown';
