namespace DiffusionLab.Data.World;

/// <summary>
/// Where the features of one face go, in the head's frame: the heights of eyes, nose and mouth, the
/// eye centres and half-widths (foreshortened by the turn), and the mouth's half-width. EyeScale is
/// the identity's eye size (larger for children), EyeRx and EyeRy the half-axes of an unturned, fully
/// open eye.
/// </summary>
internal readonly record struct FaceLayout(
    float EyeY, float NoseY, float MouthY,
    float EyeScale, float EyeRx, float EyeRy,
    float LeftX, float RightX, float LeftW, float RightW,
    float MouthHalf)
{
    public static FaceLayout For(IdentityTraits t, HeadFrame f)
    {
        float dx = f.Dx, yaw = f.Yaw;
        float eyeY = f.Child ? 3f : 1f, noseY = f.Child ? 9f : 8f, mouthY = f.Child ? 14f : 15f;
        float eyeScale = (float)t.EyeSize * (f.Child ? 1.15f : 1f);
        float ex = 3.8f * eyeScale, ey = 2.8f * eyeScale;
        // Close-set eyes still keep a visible gap of skin between them.
        float spacing = Math.Max(7.5f * (float)t.EyeSpacing, ex + 2f) * (1f - 0.15f * Math.Abs(yaw));
        float leftX = -spacing + dx, rightX = spacing + dx;
        // The eye on the side the face turns toward is foreshortened.
        float leftW = ex * (1f - 0.3f * Math.Max(-yaw, 0f)), rightW = ex * (1f - 0.3f * Math.Max(yaw, 0f));
        float mouthHalf = t.MouthShape switch
        {
            MouthShape.Small => 4.0f,
            MouthShape.Medium => 5.2f,
            MouthShape.Wide => 6.6f,
            _ => 5.4f,
        } * (f.Child ? 0.85f : 1f);
        return new FaceLayout(eyeY, noseY, mouthY, eyeScale, ex, ey, leftX, rightX, leftW, rightW, mouthHalf);
    }
}
