namespace RtcStack.Dtls.Records;

/// <summary>RFC 5246 §6.2.1 ContentType.</summary>
internal enum ContentType : byte
{
    ChangeCipherSpec = 20,
    Alert = 21,
    Handshake = 22,
    ApplicationData = 23,
}
