namespace DiffusionLab.Evaluation.World;

/// <summary>
/// <see cref="StructureChecker"/> on renders of held-out identities, half normal and half with
/// random part counts (the training mix, drawn with a fixed seed).
/// </summary>
/// <param name="Images">Images measured.</param>
/// <param name="EyeAccuracy">Share with the eye count right.</param>
/// <param name="NoseAccuracy">Share with the nose count right.</param>
/// <param name="MouthAccuracy">Share with the mouth count right.</param>
/// <param name="ValidAccuracy">Share whose "valid face" (2/1/1) decision is right.</param>
/// <param name="NormalJudgedValid">Share of the normal faces judged valid (1 − false alarms).</param>
/// <param name="EditedJudgedInvalid">Share of the edited faces judged invalid (detection rate).</param>
public sealed record StructureMetrics(int Images, double EyeAccuracy, double NoseAccuracy, double MouthAccuracy,
    double ValidAccuracy, double NormalJudgedValid, double EditedJudgedInvalid)
{
    public override string ToString() =>
        $"structure (held-out, {Images} images, half edited): eyes {EyeAccuracy:P2}, noses {NoseAccuracy:P2}, mouths {MouthAccuracy:P2}; " +
        $"valid-face decision {ValidAccuracy:P2} (normal judged valid {NormalJudgedValid:P2}, edited judged invalid {EditedJudgedInvalid:P2})";
}
