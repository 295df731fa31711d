namespace DiffusionLab.StoryDiffusion;

/// <summary>What a transition clip's frames read beside the text (the methods of the motion study).</summary>
public enum KeyframeConditioning
{
    /// <summary>The semantic motion predictor's per-frame embeddings P_i (StoryDiffusion).</summary>
    Predicted,
    /// <summary>The linearly interpolated keyframe embeddings K_i straight in (the "no predictor" ablation).</summary>
    Interpolated,
    /// <summary>No keyframe tokens: the text alone (the floor: what the prompt gives without the keyframes).</summary>
    TextOnly,
}
