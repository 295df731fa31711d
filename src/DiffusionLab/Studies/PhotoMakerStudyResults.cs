namespace DiffusionLab.Studies;

/// <summary>Everything <see cref="PhotoMakerStudy.Evaluate"/> measured, for <see cref="PhotoMakerStudyReport"/>.</summary>
/// <param name="Methods">Per method, in the order they ran.</param>
/// <param name="Rows">One per generated image, every experiment.</param>
/// <param name="People">The held-out identities evaluated, with their class words.</param>
/// <param name="MixPairs">The (A, B) pairs of the mixing sweep.</param>
/// <param name="ReferenceSharpness">Mean Laplacian variance of the people's reference images: "clean" and each degradation (the scale of the generations' sharpness).</param>
/// <param name="RenderedFaceSim">The identity judge's scale on rendered images: a person's non-reference images against its references (the ceiling), and other people's references against them (different people).</param>
/// <param name="MemorySource">What the memory numbers measure (e.g. "process_peak_rss").</param>
/// <param name="MemoryPeakRestarted">Whether the peak was restarted before each method; if not, a method's peak includes everything before it.</param>
/// <param name="BaseCheckpoint">The text-to-image checkpoint every method starts from.</param>
/// <param name="BaseStep">Its training step.</param>
/// <param name="DreamBoothSteps">DreamBooth's tuning steps (its main evaluation).</param>
public sealed record PhotoMakerStudyResults(
    IReadOnlyList<PhotoMakerStudyMethod> Methods,
    IReadOnlyList<PhotoMakerStudyRow> Rows,
    IReadOnlyList<(int Identity, string ClassWord)> People,
    IReadOnlyList<(int A, int B)> MixPairs,
    IReadOnlyDictionary<string, double> ReferenceSharpness,
    (double SamePerson, double OtherPeople) RenderedFaceSim,
    string MemorySource,
    bool MemoryPeakRestarted,
    string BaseCheckpoint,
    long BaseStep,
    int DreamBoothSteps);
