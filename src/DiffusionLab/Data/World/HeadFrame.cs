namespace DiffusionLab.Data.World;

/// <summary>
/// The head in its own frame: centre at the origin, half-width <see cref="W"/> and half-height
/// <see cref="H"/> with the turn (yaw) already applied; features shift sideways by <see cref="Dx"/>.
/// </summary>
internal readonly record struct HeadFrame(float W, float H, float Dx, float Yaw, bool Child)
{
    public static HeadFrame For(in CharacterScene s)
    {
        var t = s.Traits;
        (float sw, float sh) = t.FaceShape switch
        {
            FaceShape.Round => (1.05f, 0.92f),
            FaceShape.Oval => (0.94f, 1.0f),
            FaceShape.Square => (1.0f, 0.95f),
            FaceShape.Long => (0.84f, 1.08f),
            _ => (1.0f, 0.98f),
        };
        float yaw = (float)s.Yaw;
        // A turned head shows less of its width.
        float w = 21f * sw * (float)t.FaceWidth * (1f - 0.1f * Math.Abs(yaw)), h = 25f * sh;
        return new HeadFrame(w, h, yaw * 0.28f * w, yaw, t.IsChild);
    }
}
