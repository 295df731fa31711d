namespace DiffusionLab.Studies;

/// <summary>The methods of the motion study, in the order they run and are reported.</summary>
public enum MotionStudyMethod
{
    /// <summary>StoryDiffusion: the semantic motion predictor's per-frame embeddings into the clip generator.</summary>
    Predictor,
    /// <summary>No predictor: a clip generator trained and sampled with the interpolated embeddings straight in.</summary>
    Interpolated,
    /// <summary>Pixel cross-fade between the keyframes: no model.</summary>
    CrossFade,
    /// <summary>No keyframe conditioning: the predictor run's clip generator with its keyframe tokens hidden (the text alone).</summary>
    TextOnly,
}
