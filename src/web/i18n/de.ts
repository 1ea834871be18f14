import type { Catalogue } from './en.js';

// German, addressing the user as «Sie», with German quotation marks („…“) and a no-break space (U+00A0)
// between a number and its unit.

export const de: Catalogue = {
  'page.title': 'Bestätigen Sie Ihre Identität',
  'page.header': 'Identitätsprüfung',
  'page.titleSuffix': '{title} · Identitätsprüfung',
  'page.offline': 'Sie sind offline. Sobald die Verbindung wieder besteht, geht es weiter.',
  'page.loadingTitle': 'Einen Moment',
  'page.loading': 'Ihre Identitätsprüfung wird geladen…',
  'page.step': 'Schritt {index} von {total}: {label}',
  'page.returnToService': 'Zurück zum Dienst',
  'page.returnTo': 'Zurück zu {site}',
  'page.leave': 'Identitätsprüfung verlassen',

  'step.consent': 'Einwilligung',
  'step.document': 'Ihr Ausweisdokument',
  'step.selfie': 'Selfie',
  'step.faceCapture': 'Foto Ihres Gesichts',
  'step.proofOfAddress': 'Adressnachweis',

  'welcome.title': 'Prüfen wir Ihre Identität',
  'welcome.askedBy': '{site} bittet Sie, Ihre Identität zu bestätigen. Sie benötigen:',
  'welcome.asked': 'Sie wurden gebeten, Ihre Identität zu bestätigen. Sie benötigen:',
  'welcome.document': 'Ihren {documents}',
  'welcome.documents.one': '{count} Ausweisdokument ({documents})',
  'welcome.documents.other': '{count} Ausweisdokumente ({documents})',
  'welcome.selfie': 'Ihre Kamera, um ein Selfie aufzunehmen',
  'welcome.proofOfAddress': 'Einen aktuellen Nachweis Ihrer Adresse ({documents})',
  'welcome.time': 'Einen gut beleuchteten Ort und etwa 2\u00a0Minuten',
  'welcome.privacy': 'Ihre Fotos werden sicher übertragen und nur für diese Prüfung verwendet.',
  'welcome.start': 'Starten',

  'consent.title': 'Ihre Einwilligung zur Verwendung Ihres Gesichts',
  'consent.leadWithDocument':
    'Wir nehmen ein Selfie auf, um zu prüfen, dass Sie eine echte Person sind und Ihr Gesicht mit dem Foto in Ihrem Ausweisdokument übereinstimmt.',
  'consent.lead':
    'Wir nehmen ein Selfie auf, um zu prüfen, dass Sie eine echte Person sind, und um Ihre Identität zu bestätigen.',
  'consent.biometric':
    'Dabei werden biometrische Daten verwendet: Merkmale Ihres Gesichts, die aus dem Selfie berechnet werden. Sie dienen ausschließlich dieser Identitätsprüfung.',
  'consent.policy': 'Wie Ihre Daten verwendet und aufbewahrt werden, lesen Sie in der {link}.',
  'consent.policyLink': 'Datenschutzerklärung (öffnet sich in einem neuen Tab)',
  'consent.agree': 'Ich willige ein, dass mein Gesicht für diese Identitätsprüfung erfasst und abgeglichen wird.',
  'consent.continue': 'Weiter',
  'consent.decline': 'Ich stimme nicht zu',
  'consent.tickTheBox': 'Setzen Sie das Häkchen, um einzuwilligen, oder wählen Sie „Ich stimme nicht zu“.',
  'consent.declinedTitle': 'Ohne Ihre Einwilligung können wir nicht fortfahren',
  'consent.declinedLead':
    'Für die Prüfung Ihrer Identität brauchen wir ein Foto Ihres Gesichts. Ohne Ihre Einwilligung können wir diese Prüfung nicht durchführen.',
  'consent.goBack': 'Zurück',
  'consent.closePage': 'Sie können diese Seite jetzt schließen.',

  'document.title': 'Ihr Ausweisdokument',
  'document.lead': 'Welches Dokument möchten Sie verwenden? Es muss das Original und noch gültig sein.',
  'document.leadExpiredAllowed': 'Welches Dokument möchten Sie verwenden? Es muss das Originaldokument sein.',
  'document.country': 'Ausstellendes Land',
  'document.chooseCountry': 'Land auswählen',
  'document.type': 'Art des Dokuments',
  'document.countryFirst': 'Wählen Sie zuerst das Land aus.',
  'document.continue': 'Weiter',
  'document.errorCountry': 'Wählen Sie das Land aus, das Ihr Dokument ausgestellt hat.',
  'document.errorType': 'Wählen Sie die Art des Dokuments aus.',
  'document.noneAccepted': 'Diese Prüfung akzeptiert kein Dokument, das wir hier fotografieren können.',
  'document.chooseAnother': 'Anderes Dokument wählen',
  'document.reviewQuestion':
    'Ist das ganze Dokument scharf und ohne Spiegelungen auf dem Foto, und ist der gesamte Text lesbar?',
  'document.sendingPhoto': 'Foto wird gesendet',
  'document.sendingFront': 'Vorderseite wird gesendet',
  'document.sendingBack': 'Rückseite wird gesendet',
  'document.passportPage': 'Fotoseite Ihres Reisepasses',
  'document.passportAdvice':
    'Schlagen Sie die Seite mit Ihrem Foto auf. Erfassen Sie die ganze Seite im Rahmen, einschließlich der zwei Zeichenzeilen unten.',
  'document.frontAdvice':
    'Legen Sie die Karte mit der Vorderseite nach oben auf eine dunkle, ebene Fläche und erfassen Sie alle vier Ecken im Rahmen.',
  'document.backAdvice': 'Drehen Sie die Karte jetzt um und erfassen Sie die Rückseite im Rahmen.',
  'document.front.DRIVING_LICENCE': 'Vorderseite Ihres Führerscheins',
  'document.back.DRIVING_LICENCE': 'Rückseite Ihres Führerscheins',
  'document.front.NATIONAL_ID': 'Vorderseite Ihres Personalausweises',
  'document.back.NATIONAL_ID': 'Rückseite Ihres Personalausweises',
  'document.front.RESIDENCE_PERMIT': 'Vorderseite Ihres Aufenthaltstitels',
  'document.back.RESIDENCE_PERMIT': 'Rückseite Ihres Aufenthaltstitels',
  'document.front.STATE_ID': 'Vorderseite Ihres staatlichen Ausweises',
  'document.back.STATE_ID': 'Rückseite Ihres staatlichen Ausweises',
  'document.front.OTHER': 'Vorderseite Ihres Dokuments',
  'document.back.OTHER': 'Rückseite Ihres Dokuments',
  'documentEducation.title': 'Ihr Dokument fotografieren',
  'documentEducation.lead': 'Ein paar Tipps, damit wir das Foto gleich beim ersten Mal lesen können:',
  'documentEducation.original': 'Verwenden Sie das Originaldokument, keine Kopie und keinen Screenshot',
  'documentEducation.surface': 'Legen Sie es flach auf eine dunkle Fläche, bei gutem Licht',
  'documentEducation.glare': 'Vermeiden Sie Spiegelungen und Schatten, und halten Sie die Finger vom Text fern',
  'documentEducation.corners': 'Erfassen Sie alle vier Ecken im Rahmen',
  'documentEducation.continue': 'Weiter',

  'docName.PASSPORT': 'Reisepass',
  'docName.DRIVING_LICENCE': 'Führerschein',
  'docName.NATIONAL_ID': 'Personalausweis',
  'docName.RESIDENCE_PERMIT': 'Aufenthaltstitel',
  'docName.STATE_ID': 'Staatlicher Ausweis',
  'docName.OTHER': 'Anderes Dokument',
  'docInSentence.PASSPORT': 'Reisepass',
  'docInSentence.DRIVING_LICENCE': 'Führerschein',
  'docInSentence.NATIONAL_ID': 'Personalausweis',
  'docInSentence.RESIDENCE_PERMIT': 'Aufenthaltstitel',
  'docInSentence.STATE_ID': 'staatlichen Ausweis',
  'docInSentence.OTHER': 'Ausweis',

  'capture.takePhoto': 'Foto aufnehmen',
  'capture.startingCamera': 'Kamera wird gestartet…',
  'capture.uploadInstead': 'Stattdessen ein Foto hochladen',
  'capture.upload': 'Foto hochladen',
  'capture.canUpload': 'Sie können stattdessen ein Foto hochladen.',
  'capture.tryCameraAgain': 'Kamera erneut versuchen',
  'capture.unreadableFile': 'Diese Datei konnten wir nicht lesen. Wählen Sie ein Foto im Format JPEG oder PNG.',
  'capture.previewFace': 'Kameravorschau Ihres Gesichts',
  'capture.previewDocument': 'Kameravorschau Ihres Dokuments',
  'capture.usePhoto': 'Dieses Foto verwenden',
  'capture.retake': 'Neues Foto aufnehmen',
  'capture.reviewAlt': 'Das Foto, das Sie gerade aufgenommen haben',

  'camera.DENIED':
    'Der Kamerazugriff ist für diese Seite blockiert. Tippen Sie zum Erlauben auf das Kamera- oder Schloss-Symbol in der Adressleiste (oder öffnen Sie die Browsereinstellungen für diese Website), wählen Sie für die Kamera „Zulassen“ und tippen Sie dann auf „Kamera erneut versuchen“.',
  'camera.NO_CAMERA': 'Auf diesem Gerät haben wir keine Kamera gefunden.',
  'camera.IN_USE':
    'Ihre Kamera wird von einer anderen App verwendet. Schließen Sie diese App und tippen Sie dann auf „Kamera erneut versuchen“.',
  'camera.UNSUPPORTED':
    'Dieser Browser kann die Kamera hier nicht öffnen. Verwenden Sie die neueste Version von Chrome, Safari, Firefox oder Edge.',
  'camera.NEEDS_CAMERA':
    'Für diese Prüfung sind Fotos mit einer Kamera nötig. Öffnen Sie diesen Link auf einem Smartphone oder Computer mit Kamera, um fortzufahren.',

  'upload.checking': 'Ihr Foto wird geprüft…',
  'upload.retrying':
    'Die Verbindung wurde unterbrochen. Neuer Versuch in {seconds}\u00a0s (Versuch {attempt} von {attempts})…',
  'upload.failed': 'Ihr Foto konnte nicht gesendet werden. Die Verbindung zum Server ist fehlgeschlagen.',
  'upload.offline': 'Sie sind offline, deshalb konnte Ihr Foto nicht gesendet werden.',
  'upload.kept':
    'Ihr Foto bleibt auf dieser Seite erhalten. Prüfen Sie Ihre Internetverbindung und versuchen Sie es dann erneut.',
  'upload.tryAgain': 'Erneut versuchen',
  'upload.sendingAgain': 'Wird erneut gesendet…',
  'upload.tooLarge': 'Diese Datei ist zu groß. Wählen Sie ein kleineres Foto oder nehmen Sie eines mit der Kamera auf.',
  'upload.imageTooLarge': 'Dieses Bild ist zu groß. Wählen Sie ein kleineres Foto.',
  'upload.unreadable': 'Dieses Bild konnten wir nicht lesen. Wählen Sie ein JPEG- oder PNG-Foto.',

  'selfie.title': 'Nehmen Sie ein Selfie auf',
  'selfie.advice': 'Halten Sie Ihr Smartphone auf Augenhöhe und Ihr Gesicht innerhalb des Ovals.',
  'selfie.tipsLead': 'Als Nächstes nehmen wir ein Foto Ihres Gesichts auf, um zu prüfen, dass wirklich Sie es sind.',
  'selfie.tipLight': 'Suchen Sie einen Ort mit gutem, gleichmäßigem Licht',
  'selfie.tipCoverings': 'Nehmen Sie Brille, Hut und alles ab, was Ihr Gesicht verdeckt',
  'selfie.tipOval': 'Schauen Sie direkt in die Kamera, mit dem Gesicht im Oval',
  'selfie.allowCamera': 'Ihr Browser fragt eventuell, ob er die Kamera verwenden darf: Wählen Sie „Zulassen“.',
  'selfie.ready': 'Ich bin bereit',
  'selfie.reviewQuestion': 'Ist Ihr ganzes Gesicht deutlich zu sehen, ohne dass etwas es verdeckt?',
  'selfie.sending': 'Ihr Selfie wird gesendet',
  'selfie.sent': 'Ihr Selfie wurde gesendet.',
  'selfie.cameraOnly':
    'Das Selfie muss live mit Ihrer Kamera aufgenommen werden; ein Foto von Ihrem Gerät kann nicht verwendet werden. Erlauben Sie die Kamera in den Browsereinstellungen (Kamerasymbol in der Adressleiste) und versuchen Sie es erneut.',
  'selfie.challengeFailed': 'Die Aufnahme konnte nicht gestartet werden. Bitte versuchen Sie es erneut.',
  'selfie.burstPrompt':
    'Fotos werden aufgenommen: Schauen Sie in die Kamera und drehen Sie den Kopf langsam ein wenig zur Seite…',
  'selfie.tooSlow':
    'Das hat zu lange gedauert, daher konnten wir das Foto nicht verwenden. Bitte nehmen Sie es erneut auf.',
  'selfie.againTitle': 'Versuchen wir es noch einmal',
  'selfie.couldNotUse': 'Dieses Selfie konnten wir nicht verwenden.',
  'selfie.triesLeft.one': 'Sie haben noch {count} Versuch.',
  'selfie.triesLeft.other': 'Sie haben noch {count} Versuche.',
  'selfie.tryAgain': 'Erneut versuchen',
  'selfie.outOfTriesTitle': 'Sie haben alle Versuche aufgebraucht',
  'selfie.outOfTries':
    'Mit den erlaubten Versuchen ist kein scharfes Selfie gelungen. Wir senden Ihr letztes Selfie, und die Organisation, die diese Prüfung angefordert hat, entscheidet über das weitere Vorgehen.',
  'selfie.continue': 'Weiter',

  'zoom.tipsLead':
    'Als Nächstes prüfen wir live, dass wirklich Sie es sind: Sie machen vor der Kamera ein paar kurze Kopfbewegungen.',
  'zoom.tipMoves':
    'Sie werden gebeten, den Kopf zu drehen oder das Gesicht näher heranzubringen, immer eine Bewegung nach der anderen',
  'zoom.lead':
    'Halten Sie Ihr Gesicht im Oval und machen Sie jede Bewegung, sobald sie angezeigt wird. Das dauert etwa 10 Sekunden.',
  'zoom.ready': 'Bringen Sie Ihr Gesicht ins Oval und tippen Sie dann auf „Starten“.',
  'zoom.start': 'Starten',
  'zoom.starting': 'Einen Moment…',
  'zoom.step.CENTER': 'Schauen Sie direkt in die Kamera',
  'zoom.step.TURN_LEFT': 'Drehen Sie den Kopf nach links',
  'zoom.step.TURN_RIGHT': 'Drehen Sie den Kopf nach rechts',
  'zoom.step.TURN_UP': 'Heben Sie das Kinn',
  'zoom.step.NEAR': 'Bringen Sie Ihr Gesicht näher',
  'zoom.step.OTHER': 'Halten Sie Ihr Gesicht im Oval',
  'zoom.progressLabel': 'Erledigte Bewegungen',
  'zoom.progress': '{done} von {total} Bewegungen erledigt',
  'zoom.face.NO_FACE': 'Wir sehen Ihr Gesicht nicht. Halten Sie es im Oval.',
  'zoom.face.SEVERAL_FACES': 'Wir sehen mehr als ein Gesicht. Achten Sie darauf, dass nur Sie im Bild sind.',
  'zoom.retryTitle': 'Das hat nicht geklappt',
  'zoom.reason.STEP_LATE': 'Das hat zu lange gedauert. Machen Sie jede Bewegung, sobald Sie sie sehen.',
  'zoom.reason.WRONG_MOVE':
    'Das war nicht die verlangte Bewegung. Lesen Sie jede Anweisung und machen Sie dann genau diese Bewegung.',
  'zoom.reason.TOO_EARLY':
    'Die Bewegung kam, bevor sie verlangt wurde. Warten Sie jede Anweisung ab und bewegen Sie sich dann.',
  'zoom.reason.EXPIRED':
    'Die Zeit für diese Prüfung ist abgelaufen. Beginnen Sie neu und folgen Sie den Anweisungen, wie sie erscheinen.',
  'zoom.reason.NOT_CONFIRMED':
    'Wir konnten nicht bestätigen, dass Sie es live sind. Wenden Sie sich dem Licht zu, halten Sie Ihr Gesicht im Oval und machen Sie jede Bewegung deutlich.',
  'zoom.passed': 'Fertig: Alle Bewegungen sind erledigt.',
  'zoom.offline':
    'Die Verbindung zu unserem Server ist abgebrochen. Prüfen Sie Ihre Verbindung und versuchen Sie es dann erneut.',
  'zoom.cannotStart': 'Wir konnten die Prüfung nicht starten. Bitte versuchen Sie es erneut.',
  'zoom.outOfTries':
    'Sie konnten die Bewegungen in den erlaubten Versuchen nicht abschließen. Die Organisation, die diese Prüfung angefordert hat, entscheidet, wie es weitergeht.',
  'zoom.frameLimit':
    'Über diesen Link können keine weiteren Bilder für die Prüfung gesendet werden. Die Organisation, die diese Prüfung angefordert hat, entscheidet, wie es weitergeht.',

  'face.NO_FACE':
    'Wir können Ihr Gesicht nicht sehen. Schauen Sie direkt in die Kamera und halten Sie Ihr Gesicht im Oval.',
  'face.MULTIPLE_FACES': 'Wir sehen mehr als ein Gesicht. Achten Sie darauf, dass nur Sie im Bild sind.',
  'face.TOO_FAR': 'Kommen Sie etwas näher, damit Ihr Gesicht das Oval ausfüllt.',
  'face.BLURRY': 'Das Bild ist unscharf. Halten Sie das Smartphone ruhig und reinigen Sie bei Bedarf die Kameralinse.',
  'face.TOO_DARK': 'Es ist zu dunkel. Gehen Sie an einen helleren Ort, mit dem Gesicht zum Licht.',
  'face.TOO_BRIGHT': 'Es ist zu hell. Meiden Sie helles Licht hinter oder neben sich.',
  'face.NOT_FACING_CAMERA': 'Drehen Sie Ihr Gesicht zur Kamera und schauen Sie direkt hinein.',
  'face.UNREADABLE': 'Dieses Bild konnten wir nicht lesen. Bitte versuchen Sie es erneut.',
  'face.ready': 'Sieht gut aus. Halten Sie still und nehmen Sie das Foto auf.',
  'face.waiting': 'Bringen Sie Ihr Gesicht in das Oval.',

  'finish.sendingTitle': 'Ihre Angaben werden gesendet',
  'finish.wait': 'Bitte warten Sie, das dauert einige Sekunden…',
  'finish.doneTitle': 'Geschafft',
  'finish.takingBack': 'Vielen Dank. Sie werden zu {site} zurückgeleitet…',
  'finish.done': 'Vielen Dank. Ihre Angaben wurden gesendet. Sie können diese Seite jetzt schließen.',
  'finish.doneOnPhone': 'Vielen Dank. Ihre Angaben wurden gesendet. Sie können jetzt zu Ihrem Computer zurückkehren.',

  'expired.title': 'Dieser Link ist abgelaufen',
  'expired.lead':
    'Zu Ihrer Sicherheit funktionieren Links zur Identitätsprüfung nur einmal und nur für begrenzte Zeit.',
  'expired.again':
    'Kehren Sie zu der Website oder App zurück, die Sie hierher geschickt hat, und starten Sie die Prüfung erneut, um einen neuen Link zu erhalten.',
  'incomplete.title': 'Dieser Link ist unvollständig',
  'incomplete.lead':
    'Dem Link, dem Sie gefolgt sind, fehlen einige Angaben. Deshalb können wir Ihre Identitätsprüfung nicht starten.',
  'incomplete.again':
    'Kehren Sie zu der Website oder App zurück, die Sie hierher geschickt hat, und öffnen Sie den Link erneut.',

  'error.unreachableTitle': 'Der Server ist nicht erreichbar',
  'error.unreachable':
    'Prüfen Sie Ihre Internetverbindung und versuchen Sie es dann erneut. Was Sie bisher erledigt haben, geht nicht verloren.',
  'error.busyTitle': 'Der Dienst ist ausgelastet',
  'error.busy':
    'Bitte warten Sie einen Moment und versuchen Sie es dann erneut. Was Sie bisher erledigt haben, geht nicht verloren.',
  'error.cannotContinue': 'Wir können nicht fortfahren',
  'error.cameraTitle': 'Die Kamera ist nicht verfügbar',
  'error.limitTitle': 'Wir können keine weiteren Fotos annehmen',
  'error.limit':
    'Diese Prüfung hat bereits so viele Fotos erhalten, wie sie annehmen kann. Kehren Sie zu dem Dienst zurück, der Sie hierher geschickt hat, um neu zu beginnen.',
  'error.camera': 'Wir konnten Ihre Kamera nicht verwenden.',
  'error.unexpectedTitle': 'Etwas ist schiefgelaufen',
  'error.unexpected':
    'Leider ist bei uns etwas schiefgelaufen. Sie können es erneut versuchen oder zurückgehen und neu beginnen.',
  'error.tryAgain': 'Erneut versuchen',

  'handoff.title': 'Auf dem Smartphone weitermachen',
  'handoff.lead':
    'Scannen Sie diesen Code mit der Kamera Ihres Smartphones, um dort weiterzumachen. Smartphone-Kameras machen meist schärfere Fotos.',
  'handoff.qrAlt': 'QR-Code, der diese Identitätsprüfung auf Ihrem Smartphone öffnet',
  'handoff.orLink': 'Oder öffnen Sie diesen Link auf Ihrem Smartphone:',
  'handoff.copy': 'Link kopieren',
  'handoff.copied': 'Link kopiert',
  'handoff.once.one': 'Der Code funktioniert nur einmal und ist {count}\u00a0Minute gültig.',
  'handoff.once.other': 'Der Code funktioniert nur einmal und ist {count}\u00a0Minuten gültig.',
  'handoff.waiting': 'Warten auf Ihr Smartphone…',
  'handoff.connected':
    'Ihr Smartphone ist verbunden. Machen Sie dort weiter: Diese Seite geht von selbst weiter, sobald Sie fertig sind.',
  'handoff.progress': 'Auf Ihrem Smartphone erledigte Schritte: {done} von {total}',
  'handoff.expiredTitle': 'Dieser Code ist abgelaufen',
  'handoff.expired': 'Codes zum Weitermachen auf dem Smartphone funktionieren nur wenige Minuten.',
  'handoff.newCode': 'Neuen Code anzeigen',
  'handoff.here': 'Auf diesem Computer weitermachen',
  'handoff.linkUsedTitle': 'Dieser Link funktioniert nicht mehr',
  'handoff.linkUsed':
    'Ein Link zum Weitermachen auf dem Smartphone funktioniert nur einmal und nur wenige Minuten. Lassen Sie auf Ihrem Computer einen neuen Code anzeigen und scannen Sie ihn erneut.',
  'handoff.leftOnPhone': 'Die Identitätsprüfung wurde auf Ihrem Smartphone beendet.',
  'handoff.backToComputer': 'Kehren Sie zum Abschluss zu Ihrem Computer zurück.',
  'poa.title': 'Nachweis Ihrer Adresse',
  'poa.lead': 'Welches Dokument möchten Sie verwenden? Es muss Ihren Namen und Ihre Adresse zeigen.',
  'poa.type': 'Art des Dokuments',
  'poa.country': 'Land der Adresse',
  'poa.chooseCountry': 'Land auswählen',
  'poa.continue': 'Weiter',
  'poa.errorType': 'Wählen Sie die Art des Dokuments aus.',
  'poa.errorCountry': 'Wählen Sie das Land der Adresse aus.',
  'poa.chooseAnother': 'Anderes Dokument wählen',
  'poa.pageTitle': 'Seite {index} Ihres Dokuments: {document}',
  'poa.advice':
    'Legen Sie die Seite flach und gut beleuchtet hin, mit allen vier Ecken im Rahmen und gut lesbarem Text.',
  'poa.review': 'Sind Ihr Name, Ihre Adresse und das Datum gut lesbar?',
  'poa.sending': 'Die Seite wird gesendet',
  'poa.moreTitle': 'Weitere Seiten?',
  'poa.moreLead':
    'Fügen Sie eine weitere Seite hinzu, wenn Ihr Name, Ihre Adresse oder das Datum darauf steht. Sie können bis zu {count} Seiten senden.',
  'poa.addPage': 'Weitere Seite hinzufügen',
  'poa.done': 'Das ist alles',
  'poaName.UTILITY_BILL': 'Rechnung eines Versorgers (Strom, Gas, Wasser)',
  'poaName.BANK_STATEMENT': 'Kontoauszug',
  'poaName.COUNCIL_TAX_BILL': 'Gemeindesteuerbescheid (Council Tax)',
  'poaName.PHONE_BILL': 'Telefonrechnung',
  'poaName.OTHER': 'Adressnachweis',
  'poaInSentence.UTILITY_BILL': 'Versorgerrechnung',
  'poaInSentence.BANK_STATEMENT': 'Kontoauszug',
  'poaInSentence.COUNCIL_TAX_BILL': 'Gemeindesteuerbescheid',
  'poaInSentence.PHONE_BILL': 'Telefonrechnung',
  'poaInSentence.OTHER': 'Adressnachweis',
  'docRead.checkingTitle': 'Ihr Dokument wird gelesen',
  'docRead.checking': 'Wir prüfen, ob Ihr Dokument lesbar ist…',
  'docRead.retryTitle': 'Wir konnten Ihr Dokument nicht lesen',
  'docRead.reason.GENERIC':
    'Die Zeilen aus Buchstaben und <<< auf der Seite mit Ihrem Foto waren nicht deutlich genug. Nehmen Sie das Foto erneut auf: flach, gut beleuchtet, ohne Spiegelungen und mit der ganzen Seite im Rahmen.',
  'docRead.reason.RECLASSIFICATION':
    'Das Dokument auf dem Foto ist nicht das, das Sie gewählt haben. Prüfen Sie Land und Art des Dokuments und nehmen Sie das Foto erneut auf.',
  'docRead.triesLeft.one': 'Sie haben noch {count} Versuch.',
  'docRead.triesLeft.other': 'Sie haben noch {count} Versuche.',
  'docRead.tryAgain': 'Erneut versuchen',
  'docRead.outOfTriesTitle': 'Sie haben alle Versuche aufgebraucht',
  'docRead.outOfTries':
    'Wir können Ihr Dokument weiterhin nicht lesen. Wir senden Ihre Fotos so, wie sie sind, und die Organisation, die diese Prüfung angefordert hat, entscheidet über das weitere Vorgehen.',
  'docRead.continue': 'Weiter',
};
