// zod/mini carries no message texts; this gives it zod's English ones (the texts Immich's own
// validation answers with, and what a config or server-shape error quotes). Imported for its effect
// by the modules that show zod's messages; only the English locale is bundled.
import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';

z.config(en());
