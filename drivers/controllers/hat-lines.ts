// The line levels the vendors' libraries set around an update, as steps: Waveshare's epdconfig
// module (import, module_init, module_exit) and Pimoroni's line claim. Shared by the drivers.
import { pin, type Step } from '../driver.js';

/**
 * waveshareteam/e-Paper @86aa993 RaspberryPi_JetsonNano/python/lib/waveshare_epd/epdconfig.py:
 * importing it makes rst, dc, pwr gpiozero LEDs, low (:56-59); module_init switches the HAT's
 * power on (:117).
 */
export function waveshareModuleInit(): Step[] {
  return [pin('rst', 0), pin('dc', 0), pin('pwr', 0), pin('pwr', 1)];
}

/** epdconfig.py module_exit (:152-154), the end of every driver's sleep(): rst, dc, pwr low. */
export function waveshareModuleExit(): Step[] {
  return [pin('rst', 0), pin('dc', 0), pin('pwr', 0)];
}

/**
 * pimoroni/inky @07035b3: request_lines sets the outputs to their initial levels, CS high, DC
 * low, RST high (inky_uc8159.py:217-226, inky_e673.py:188-193); el133uf1 both chip selects
 * (inky_el133uf1.py:215-222).
 */
export function inkyClaimLines(twoChipSelects = false): Step[] {
  return [pin('cs0', 1), ...(twoChipSelects ? [pin('cs1', 1)] : []), pin('dc', 0), pin('rst', 1)];
}
