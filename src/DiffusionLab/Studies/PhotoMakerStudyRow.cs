namespace DiffusionLab.Studies;

/// <summary>
/// One generated image of the PhotoMaker study as the judges saw it (a line of metrics.csv).
/// </summary>
/// <param name="Experiment">"main" (every method), or a side experiment of PhotoMaker: "references" (Setting = N),
/// "degraded" (Setting = the damage), "mixing" (Setting = A's coefficient), or "dreambooth-steps" (Setting = tuning steps).</param>
/// <param name="Setting">The side experiment's setting; empty for "main".</param>
/// <param name="Method">The method's label (<see cref="PhotoMakerStudyMethod.Label"/>).</param>
/// <param name="Kind">What the method is.</param>
/// <param name="Person">The held-out identity (for "mixing": person A).</param>
/// <param name="PromptIndex">Index into the spec's prompts.</param>
/// <param name="Prompt">The prompt as given to the method (with the trigger or identifier).</param>
/// <param name="Seed">The sampling seed.</param>
/// <param name="FaceSim">Cosine between the image's identity embedding and the mean embedding of the person's clean references (our FaceSim).</param>
/// <param name="FaceSimOther">"mixing" only: the same against person B's references.</param>
/// <param name="PerFactor">Factor → 1 when the factor judge sees what the prompt asked for, else 0; their mean is <paramref name="PromptAccuracy"/>.</param>
/// <param name="PromptAccuracy">The share of the prompt's factors the judge sees (our CLIP-T).</param>
/// <param name="StructureValid">The structure judge sees 2 eyes, 1 nose and 1 mouth.</param>
/// <param name="Diversity">Mean pairwise LPIPS-style distance among the seeds of this (method, person, prompt, setting) (our Face Div); null with one seed.</param>
/// <param name="Sharpness">Variance of the Laplacian of the image (grey levels²; Evaluation.LaplacianSharpness).</param>
/// <param name="SecondsPerImage">Wall time of the generation call (references in, images out) divided by its images.</param>
public sealed record PhotoMakerStudyRow(
    string Experiment,
    string Setting,
    string Method,
    PhotoMakerStudyMethodKind Kind,
    int Person,
    int PromptIndex,
    string Prompt,
    long Seed,
    double FaceSim,
    double? FaceSimOther,
    IReadOnlyDictionary<string, double> PerFactor,
    double PromptAccuracy,
    bool StructureValid,
    double? Diversity,
    double Sharpness,
    double SecondsPerImage);
