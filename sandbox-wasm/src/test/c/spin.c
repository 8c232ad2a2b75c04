/* Loops forever without calling anything: only a timeout or fuel can stop it. */
volatile unsigned long counter;
int main(void) {
  for (;;) counter++;
}
