/** PLACEHOLDER: the insights dashboard (issue 10) is being built. */
export function InsightsPage() {
  return (
    <section>
      <h1>Insights</h1>
    </section>
  );
}
