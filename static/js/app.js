// Progressive enhancement only: every page reads without JavaScript.
import { initAll } from "../nhsuk/nhsuk-frontend.min.js";

initAll();
